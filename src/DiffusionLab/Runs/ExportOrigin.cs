namespace DiffusionLab.Runs;

/// <summary>Who exported a shipped model: the command line, the revision it was built from and the device, for its provenance.json.</summary>
public sealed record ExportOrigin(string Command, string GitRevision, string Device);
