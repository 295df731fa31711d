using DiffusionLab.Core;

namespace DiffusionLab.Runs;

/// <summary>
/// The operating system's exclusive lock on a run folder's run.lock: a handle opened with <see cref="FileShare.None"/>
/// (flock on Linux and macOS, a share-none open on Windows). The OS drops it when the handle closes or the process
/// dies, so a crashed or kill -9'd run never leaves its folder locked; the file itself stays and means nothing alone.
/// </summary>
public sealed class RunFolderLock : IDisposable
{
    public const string FileName = "run.lock";

    private readonly FileStream _handle;

    private RunFolderLock(FileStream handle) => _handle = handle;

    /// <summary>Takes the lock of <paramref name="folder"/> (which must exist), or a ConfigException when another handle holds it.</summary>
    public static RunFolderLock Acquire(string folder)
    {
        string path = Path.Combine(folder, FileName);
        try { return new RunFolderLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None)); }
        catch (IOException e) when (e is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException))
        {
            throw new ConfigException($"run '{folder}': another process is training in it ({path} is locked); wait for it to finish or stop it, or train into another output folder");
        }
    }

    public void Dispose() => _handle.Dispose();
}
