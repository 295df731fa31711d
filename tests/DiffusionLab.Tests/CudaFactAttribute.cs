using TorchSharp;

namespace DiffusionLab.Tests;

/// <summary>A test that needs a CUDA device: skipped (not failed) where none is found.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!torch.cuda.is_available()) Skip = "no CUDA device on this machine";
    }
}

/// <summary>A test of behaviour on machines without CUDA: skipped where a CUDA device is present.</summary>
public sealed class NoCudaFactAttribute : FactAttribute
{
    public NoCudaFactAttribute()
    {
        if (torch.cuda.is_available()) Skip = "a CUDA device is present";
    }
}
