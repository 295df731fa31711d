namespace DiffusionLab.NotebookRunner;

/// <summary>A failing cell: its 1-based position in the executed notebook, a short title and the error.</summary>
public sealed record FailedCell(int Number, string Title, string? Error);
