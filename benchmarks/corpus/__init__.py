"""A corpus of realistic model changes on real models, for judging mlgate's verdicts
(`python -m benchmarks.verdict_corpus`, docs/verdict-corpus.md)."""
