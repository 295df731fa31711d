namespace DiffusionLab.Text;

/// <summary>One pre-token of a parsed prompt: the lowercased word, its characters in the plain text, its attention weight.</summary>
public readonly record struct PromptWord(string Word, TextSpan Span, double Weight);
