"""The mind: persona, onboarding, context assembly and the turn loop."""
