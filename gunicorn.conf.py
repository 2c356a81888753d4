# gunicorn reads this file from the folder it is started in (README, Production).
# Access logs go through enkat's logger, which keeps tokens out of them (enkat/weblog.py).
logger_class = "enkat.weblog.RedactingLogger"
accesslog = "-"
