"""api-v2.soundcloud.com and the soundcloud.com web page, as the emulator serves them."""
