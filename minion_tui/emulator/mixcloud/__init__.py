"""The emulated Mixcloud (docs/mixcloud.md): REST at api.mixcloud.com (rest.py, shapes.py),
GraphQL at app.mixcloud.com/graphql (graphql.py over the small engine in gql.py), the media
origins (media.py, ts.py) and a seeded catalog of DJ mixes (catalog.py), all mounted by
server.py next to SoundCloud. service.py holds the origins, faults and test knobs.

Origins -> emulator prefixes: https://api.mixcloud.com /mc-api, http://api.mixcloud.com
/mc-api-http, https://app.mixcloud.com /mc-app, https://www.mixcloud.com /mc-web,
https://thumbnailer.mixcloud.com /mc-img, https://stream6|stream12.mixcloud.com
/mc-stream6|12, https://audio4|audio9.mixcloud.com /mc-audio4|9,
https://audiocdn4.mixcloud.com /mc-audiocdn4, https://live-fsn1-hez.mixcloud.com /mc-live.

Fixtures (the same for every seed; `RunningEmulator.examples`, site URLs):

* mc_user          NightShiftRadio: 45 shows (three pages of 20), followed by everyone,
                   profile comments; the pinned shows below except the Selva ones.
* mc_show_tracks   62 min, 12 timed TrackSections, favourited by many users, 25 comments.
* mc_show_chapters 95 min, ChapterSection + TrackSection, two without startSeconds.
* mc_show_hidden_tracklist  canShowTracklist false (sections empty).
* mc_show_exclusive         isExclusive (Select): streamInfo null.
* mc_show_country / mc_show_repeat_play  restrictedReason "tracklist" / "repeat_play".
* mc_user_selva    selva_sessions, live now (mc_live); mc_show_long 180 min,
                   mc_show_two_hours 120 min, mc_show_short 30 min.
* mc_user_small    quietlistener: one show, 60 favourites (three pages).
* mc_user_empty    nobody_uploads: no shows, favourites, listens or followings.
* mc_tag           /discover/deep-house/.
"""
