"""ComicReel's pure pipeline: script text -> parsed script -> storyboard -> panels + voices -> timeline -> MP4.

Nothing here imports the web edge, the job queue, the database or object storage; backends are passed in.
"""
