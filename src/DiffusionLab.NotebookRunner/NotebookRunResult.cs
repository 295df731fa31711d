namespace DiffusionLab.NotebookRunner;

/// <summary>How many code cells ran, for how long, and the cell that failed (null when none did).</summary>
public sealed record NotebookRunResult(int CellsRun, double Seconds, FailedCell? FailedCell);
