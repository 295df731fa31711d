using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Cli;

/// <summary>--device auto|cpu|cuda[:N]; auto picks CUDA when a CUDA device is usable.</summary>
public static class DeviceOption
{
    public static Device Parse(string? value)
    {
        string v = value ?? "auto";
        if (v == "auto") return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
        if (v == "cpu") return torch.CPU;
        if (v == "cuda" || v.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!torch.cuda.is_available())
                throw new UsageException($"--device {v}: no CUDA device is available (this build's libtorch is {(torch.cuda_is_available() ? "CUDA" : "CPU-only")} or no GPU is visible)");
            return torch.device(v);
        }
        throw new UsageException($"--device '{v}': expected auto, cpu or cuda");
    }
}
