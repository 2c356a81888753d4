"""A förbund and its insatser: their measurement schedules, goals and what a user sees of
them."""
