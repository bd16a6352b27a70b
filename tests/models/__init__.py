"""Node models kept with the tests; load them by dotted path."""
