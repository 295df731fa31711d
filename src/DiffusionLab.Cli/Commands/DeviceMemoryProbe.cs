using System.Runtime.InteropServices;
using DiffusionLab.Training;

namespace DiffusionLab.Cli.Commands;

/// <summary>
/// Peak memory during a benchmark. TorchSharp 0.107 exposes no CUDA allocator statistics, so on CUDA
/// we poll NVML's used device memory (whole device: CUDA context + PyTorch's cached blocks, an upper
/// bound on tensor memory) every 20 ms; on CPU the process's peak resident set (<see cref="ProcessMemory"/>).
/// </summary>
public sealed partial class DeviceMemoryProbe : IPeakMemory, IDisposable
{
    private readonly ProcessMemory _process = new();
    private readonly bool _cuda;
    private readonly IntPtr _device;
    private readonly Thread? _poller;
    private volatile bool _stop;
    private long _peak;

    public DeviceMemoryProbe(bool cuda)
    {
        _cuda = cuda && TryInitNvml(out _device);
        Source = _cuda ? "nvml_device_used" : cuda ? "unavailable" : "process_peak_rss";
        if (_cuda)
        {
            _poller = new Thread(() => { while (!_stop) { Sample(); Thread.Sleep(20); } }) { IsBackground = true };
            _poller.Start();
        }
    }

    /// <summary>What <see cref="PeakBytes"/> measures.</summary>
    public string Source { get; }

    public long? PeakBytes
    {
        get
        {
            if (_cuda) { Sample(); return Interlocked.Read(ref _peak); }
            if (Source == "unavailable") return null;
            return _process.PeakBytes;
        }
    }

    public long? CurrentBytes => _cuda ? Used() : Source == "unavailable" ? null : _process.CurrentBytes;

    public bool ResetPeak()
    {
        if (!_cuda) return Source != "unavailable" && _process.ResetPeak();
        Interlocked.Exchange(ref _peak, Used() ?? 0);
        return true;
    }

    private long? Used() => NvmlDeviceGetMemoryInfo(_device, out var info) == 0 ? (long)info.Used : null;

    private void Sample()
    {
        if (NvmlDeviceGetMemoryInfo(_device, out var info) != 0) return;
        long used = (long)info.Used;
        long seen;
        while (used > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, used, seen) != seen) { }
    }

    private static bool TryInitNvml(out IntPtr device)
    {
        device = IntPtr.Zero;
        try { return NvmlInit() == 0 && NvmlDeviceGetHandleByIndex(0, out device) == 0; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    public void Dispose()
    {
        _stop = true;
        _poller?.Join();
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct NvmlMemory { public ulong Total; public ulong Free; public ulong Used; }

    [LibraryImport("libnvidia-ml.so.1", EntryPoint = "nvmlInit_v2")]
    private static partial int NvmlInit();

    [LibraryImport("libnvidia-ml.so.1", EntryPoint = "nvmlDeviceGetHandleByIndex_v2")]
    private static partial int NvmlDeviceGetHandleByIndex(uint index, out IntPtr device);

    [LibraryImport("libnvidia-ml.so.1", EntryPoint = "nvmlDeviceGetMemoryInfo")]
    private static partial int NvmlDeviceGetMemoryInfo(IntPtr device, out NvmlMemory memory);
}
