"""The emulated CDN origins: signed HLS playlists and segments, progressive files, images."""
