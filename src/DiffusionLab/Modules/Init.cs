using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Modules;

/// <summary>The DiT/MDT initialisers (mdt.md §14), shared by the blocks.</summary>
internal static class Init
{
    /// <summary>DiT's _basic_init: xavier_uniform weight, zero bias.</summary>
    public static void XavierLinear(Linear linear)
    {
        using var _ = no_grad();
        nn.init.xavier_uniform_(linear.weight!);
        if (linear.bias is not null) nn.init.zeros_(linear.bias);
    }

    /// <summary>adaLN-Zero: the modulation output starts at zero so every block starts as the identity.</summary>
    public static void ZeroLinear(Linear linear)
    {
        using var _ = no_grad();
        nn.init.zeros_(linear.weight!);
        if (linear.bias is not null) nn.init.zeros_(linear.bias);
    }
}
