"""How results are shown: figures drawn from what the checker measured, and the one helper that
makes student-controlled text safe at every rendering boundary."""
