"""Several instances on one database: changes seen by others, who is present, drafts kept
across a crash."""
