"""Requests in plain words that os1 answers with a deed rather than a reply, the same in every
front end (``os1 chat``, ``os1 say``, the web app's Talk view, ``os1 talk``), so they work on any
model, the bundled one included: a piece asked for is composed, a letter asked for is drafted
and checked, and mail or calendar work asked of a model that cannot call tools is answered with
what works. ``requests.recognise`` reads the line; ``answers.Asking`` answers it; each front end
only renders the answer (terminal text, the web's events, spoken words)."""
