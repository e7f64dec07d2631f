"""Behaviour two screens share: deal keys (board, deal) and lead status keys."""
