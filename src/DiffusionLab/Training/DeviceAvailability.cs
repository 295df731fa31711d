using DiffusionLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Training;

/// <summary>Refuses a device this process cannot use (CUDA on a CPU-only build or machine, a GPU index beyond the last) before anything is written.</summary>
public static class DeviceAvailability
{
    public static void Check(Device device)
    {
        if (device.type != DeviceType.CUDA) return;
        string name = device.index < 0 ? "cuda" : $"cuda:{device.index}";
        if (!torch.cuda.is_available())
            throw new ConfigException($"device '{name}': no CUDA device is available (this libtorch is {(torch.cuda_is_available() ? "CUDA" : "CPU-only")} or no GPU is visible); use cpu");
        int count = torch.cuda.device_count();
        if (device.index >= count)
            throw new ConfigException($"device '{name}': this machine has {count} CUDA device{(count == 1 ? "" : "s")}; expected cuda:0{(count > 1 ? $" .. cuda:{count - 1}" : "")}");
    }
}
