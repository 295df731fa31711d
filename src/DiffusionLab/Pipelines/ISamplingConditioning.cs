using static TorchSharp.torch;

namespace DiffusionLab.Pipelines;

/// <summary>
/// What an image is generated for, as <see cref="SamplingPipeline"/> sees it: N condition rows (class labels,
/// prompts, prompts with ID embeddings, prompts with a consistent-attention context) and the unconditional rows of
/// classifier-free guidance. It runs the network itself, because each kind calls it differently (ids, a text
/// embedding that changes at start_merge_step, attention hooks over both halves); the pipeline owns the rest.
/// </summary>
public interface ISamplingConditioning
{
    /// <summary>N, the number of images (one condition row each).</summary>
    int Count { get; }

    /// <summary>
    /// The network output (k·N, C_out, H, W) for x_t (k·N, C, H, W) at original timesteps (k·N): k = 1 on the N
    /// condition rows, k = 2 on [condition rows; unconditional rows] when <paramref name="withUnconditional"/>.
    /// <paramref name="step"/> counts denoising steps from 0 (the noisiest) to <paramref name="steps"/> − 1.
    /// </summary>
    Tensor Predict(Tensor x, Tensor originalTimesteps, int step, int steps, bool withUnconditional);
}
