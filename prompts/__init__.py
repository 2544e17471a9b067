"""Prompt templates, shipped as package data (`drafter.prompt_files`)."""
