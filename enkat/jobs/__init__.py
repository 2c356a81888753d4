"""Background work: jobs that the worker process runs, each calling a service
(`enkat.jobs.queue` says how they are declared, queued and run)."""
