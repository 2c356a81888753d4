"""Instruments as the database knows them: the exact versions answers were given with
(`versions`) and a förbund's own uploads (`uploads`)."""
