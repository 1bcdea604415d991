"""Scheduled work: one module per job, named by what it does (see ARCHITECTURE.md, "Scheduled work")."""
