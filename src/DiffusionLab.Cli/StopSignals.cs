using System.Runtime.InteropServices;

namespace DiffusionLab.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM as one cancellation for a command that trains: it checkpoints where it is and exits
/// 130 instead of losing the steps since the last checkpoint. SIGTERM is what <c>kill</c>, job schedulers (Slurm's
/// preemption and time limit) and container runtimes send before killing, and a job started in the background of a
/// non-interactive shell never sees SIGINT at all (the shell ignores it for the job). Linked to <c>stop</c>, which tests
/// use. Disposing stops listening; a second signal while stopping changes nothing.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly PosixSignalRegistration[] _registrations;

    public StopSignals(CancellationToken stop = default)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(stop);
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    public CancellationToken Token => _source.Token;

    public bool Requested => _source.IsCancellationRequested;

    private void OnSignal(PosixSignalContext context)
    {
        // Keep the process alive: the command stops at the next step boundary and writes its checkpoint.
        context.Cancel = true;
        _source.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
        _source.Dispose();
    }
}
