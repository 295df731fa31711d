namespace DiffusionLab.Cli;

/// <summary>A command-line mistake found while running (a value that only the command can judge): printed as one line with exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
