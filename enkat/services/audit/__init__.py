"""The audit log: what is written to it (`events`) and how a förbund's administrators read
it (`log`)."""
