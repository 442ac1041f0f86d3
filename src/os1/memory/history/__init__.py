"""Past conversations brought in with their dates: plain transcripts and ChatGPT exports."""
