-- Video links are stored as the player's URL, rebuilt from the video id (curriculum/content.py).
-- Links stored before are rewritten the same way; one that names no video a player can show
-- (or carries anything but an id where the id goes) is dropped.
UPDATE lessons SET video_url = CASE
    WHEN video_url ~ '^https?://(www\.|m\.)?youtube(-nocookie)?\.com/watch/?\?([^#]*&)?v=[A-Za-z0-9_-]{11}(&|#|$)'
        THEN 'https://www.youtube.com/embed/'
            || substring(video_url FROM '[?&]v=([A-Za-z0-9_-]{11})(?:&|#|$)')
    WHEN video_url ~ '^https?://(www\.|m\.)?youtube(-nocookie)?\.com/(embed|shorts|live|v)/[A-Za-z0-9_-]{11}/?([?#]|$)'
        THEN 'https://www.youtube.com/embed/'
            || substring(video_url FROM '/(?:embed|shorts|live|v)/([A-Za-z0-9_-]{11})')
    WHEN video_url ~ '^https?://youtu\.be/[A-Za-z0-9_-]{11}/?([?#]|$)'
        THEN 'https://www.youtube.com/embed/'
            || substring(video_url FROM 'youtu\.be/([A-Za-z0-9_-]{11})')
    WHEN video_url ~ '^https?://(www\.)?vimeo\.com/[0-9]{1,12}/?([?#]|$)'
        THEN 'https://player.vimeo.com/video/' || substring(video_url FROM 'vimeo\.com/([0-9]{1,12})')
    WHEN video_url ~ '^https?://player\.vimeo\.com/video/[0-9]{1,12}/?([?#]|$)'
        THEN 'https://player.vimeo.com/video/' || substring(video_url FROM '/video/([0-9]{1,12})')
END
WHERE video_url IS NOT NULL;
