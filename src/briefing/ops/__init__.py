"""Running it for people: the preview server, the watcher, the scheduler, the doctor, progress and logs, the lock."""
