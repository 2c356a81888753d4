"""The people who sign in: users and their roles, passwords, sign-ins and sessions."""
