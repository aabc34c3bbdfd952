"""Sign-in, sign-out and the language switch; who the signed-in person is."""
