"""Business rules. Services take plain arguments and the acting user; views stay thin."""
