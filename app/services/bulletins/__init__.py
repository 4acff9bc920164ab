"""晾晒通报 bulletins (plan §四(一)): gathered, rendered (xlsx + PDF), stored and listed."""
