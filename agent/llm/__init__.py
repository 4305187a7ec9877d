"""LLM backends behind one small interface (see ``agent.llm.base.LLM``)."""
