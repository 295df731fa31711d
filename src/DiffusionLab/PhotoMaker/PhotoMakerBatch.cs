using DiffusionLab.Text;
using static TorchSharp.torch;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// One PhotoMaker training batch: targets (B, 3, H, W) in [−1, 1], their person masks (B, 1, H, W), the captions with
/// the trigger inserted and encoded with one class-token copy per reference (per row), and each row's references.
/// </summary>
internal sealed class PhotoMakerBatch(Tensor targets, Tensor masks, IReadOnlyList<string> prompts, ClassTokenBatch encoded, IReadOnlyList<ReferenceStack> references) : IDisposable
{
    public Tensor Targets { get; } = targets;
    public Tensor Masks { get; } = masks;
    public IReadOnlyList<string> Prompts { get; } = prompts;
    public ClassTokenBatch Encoded { get; } = encoded;
    public IReadOnlyList<ReferenceStack> References { get; } = references;

    public void Dispose()
    {
        Targets.Dispose();
        Masks.Dispose();
        Encoded.Dispose();
        foreach (var r in References) r.Dispose();
    }
}
