using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Cli;

/// <summary>A one-line description of where a command ran, for results' provenance.</summary>
public static class DeviceDescription
{
    public static string Of(Device device)
    {
        if (device.type == DeviceType.CUDA)
            return $"CUDA ({Environment.GetEnvironmentVariable("DIFFLAB_DEVICE_NAME") ?? "GPU"})";
        return $"CPU, {CpuModel()}, {Environment.ProcessorCount} cores, torch threads {torch.get_num_threads()}";
    }

    /// <summary>The CPU's model name from /proc/cpuinfo, or "CPU".</summary>
    public static string CpuModel() => File.Exists("/proc/cpuinfo")
        ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "CPU"
        : "CPU";
}
