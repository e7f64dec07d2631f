"""Storage: the tables (Peewee models), opening a database, the schema and its migrations,
the search index and the bulk statements. Imports only core."""
