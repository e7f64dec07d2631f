"""Each attack the security review of a team's shared server found, reproduced as a test:
one member must not be able to harm another through the files, processes, terminal or
messages funnel makes."""
