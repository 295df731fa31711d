namespace DiffusionLab.Runs;

/// <summary>
/// One start of training in a run folder, all or nothing: creates the folder if needed, holds its lock
/// (<see cref="RunFolder.Hold"/>), and, unless <see cref="Commit"/> is reached, undoes what the start did: a folder it
/// created is removed whole; in a folder that existed, the entries it added go and the files it rewrote
/// (<see cref="Remember"/>) get their old bytes back. Nothing that existed before the start is ever deleted.
/// </summary>
public sealed class RunFolderStart : IDisposable
{
    private readonly RunFolder _run;
    private readonly bool _folderExisted;
    private readonly HashSet<string> _entriesBefore;
    private readonly Dictionary<string, byte[]?> _rewritten = [];
    private IDisposable? _hold;
    private bool _committed;

    private RunFolderStart(RunFolder run)
    {
        _run = run;
        _folderExisted = Directory.Exists(run.Path);
        _entriesBefore = _folderExisted ? [.. Directory.EnumerateFileSystemEntries(run.Path)] : [];
        Directory.CreateDirectory(run.Path);
        try { _hold = run.Hold(); }
        catch
        {
            Undo();
            throw;
        }
    }

    /// <summary>Creates the folder if needed and locks it; a ConfigException (and nothing left behind) when another process trains in it.</summary>
    public static RunFolderStart Begin(RunFolder run) => new(run);

    public RunFolder Run => _run;

    /// <summary>
    /// A stage run's config and tokenizer, written (undone with the start): an existing run's stored config must equal
    /// <paramref name="requestedJson"/> once <paramref name="withRequestedSteps"/> has given it the requested steps (the one
    /// key a resume may change), or the start is refused with the differing key.
    /// </summary>
    public void WriteStageConfig(RunFolder run, string requestedJson, Func<string, string> withRequestedSteps, Text.WordTokenizer tokenizer)
    {
        if (run.Exists)
        {
            string comparable = withRequestedSteps(File.ReadAllText(run.ConfigFile));
            if (comparable != requestedJson)
                throw RunConfigMismatch.Refusal(run, System.Text.Json.Nodes.JsonNode.Parse(comparable)!, System.Text.Json.Nodes.JsonNode.Parse(requestedJson)!, "Steps");
        }
        Remember(run.ConfigFile);
        IO.AtomicFile.WriteAllText(run.ConfigFile, requestedJson);
        Remember(run.TokenizerFile);
        tokenizer.Save(run.TokenizerFile);
    }

    /// <summary>Records <paramref name="file"/>'s bytes (or its absence) before the start writes it, to put back if the start fails.</summary>
    public void Remember(string file)
    {
        file = Path.GetFullPath(file);
        if (!_rewritten.ContainsKey(file)) _rewritten[file] = File.Exists(file) ? File.ReadAllBytes(file) : null;
    }

    /// <summary>The start succeeded: keeps everything it wrote and hands over the folder's lock, to hold while training.</summary>
    public IDisposable Commit()
    {
        _committed = true;
        var hold = _hold!;
        _hold = null;
        return hold;
    }

    public void Dispose()
    {
        if (_committed) return;
        _hold?.Dispose();
        _hold = null;
        Undo();
    }

    private void Undo()
    {
        // After the lock is released: Windows cannot delete a file a handle still holds.
        if (!_folderExisted)
        {
            if (Directory.Exists(_run.Path)) Directory.Delete(_run.Path, recursive: true);
            return;
        }
        foreach (var (file, bytes) in _rewritten)
            if (bytes is not null) IO.AtomicFile.WriteAllBytes(file, bytes);
        foreach (var entry in Directory.EnumerateFileSystemEntries(_run.Path).Where(e => !_entriesBefore.Contains(e)).ToList())
        {
            if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
            else File.Delete(entry);
        }
    }
}
