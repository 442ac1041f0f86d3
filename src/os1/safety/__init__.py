"""The safety layer: enforced in code, whatever the model does.

- ``spotlight``: outside text is cleaned (hidden HTML, comments, invisible and bidi characters)
  and shown to the model as delimited data.
- ``taint``: which values of a turn came from the user and which only from outside content, and
  which recalled memories are outside content (all but the user's own words and os1's replies).
- ``ledger``: every side effect proposed or done, its confirmation, and outbound rate limits.
- ``guard``: runs tool calls under their policies; nothing with a side effect runs in a turn that
  read outside content without the user's own yes.
"""
