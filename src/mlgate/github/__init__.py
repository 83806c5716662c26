"""Everything that knows about GitHub: the runner's context and files, and the REST API."""
