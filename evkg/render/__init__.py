"""Views over plain data: text tables and pages, SPARQL result formats."""
