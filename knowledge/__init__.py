"""The policy knowledge base: clean the source documents, index them (FAISS + BM25), retrieve with citations."""
