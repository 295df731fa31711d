using DiffusionLab.Data.World;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Evaluation.World;

/// <summary>Renders <see cref="RenderJob"/>s to pixels and pixels to the judges' (N,3,H,W) input in [−1,1].</summary>
internal static class JudgeImages
{
    /// <summary>The RGB bytes of every job, N·H·W·3, in job order.</summary>
    public static byte[] RenderBytes(CharacterWorld world, IReadOnlyList<RenderJob> jobs, int parallelism)
    {
        int size = world.ImageSize, stride = size * size * 3;
        var bytes = new byte[jobs.Count * stride];
        void One(int i)
        {
            var image = world.Render(jobs[i].Identity, jobs[i].ImageIndex, jobs[i].Parts);
            Buffer.BlockCopy(image.Pixels, 0, bytes, i * stride, stride);
        }
        if (parallelism <= 1)
            for (int i = 0; i < jobs.Count; i++) One(i);
        else
            Parallel.For(0, jobs.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, One);
        return bytes;
    }

    /// <summary>N·H·W·3 bytes → (N,3,H,W) float32 in [−1,1].</summary>
    public static Tensor ToTensor(byte[] bytes, int count, int size)
    {
        using var scope = torch.NewDisposeScope();
        var hwc = torch.tensor(bytes, [count, size, size, 3]);                          // (N,H,W,3) uint8
        var x = hwc.permute(0, 3, 1, 2).to(ScalarType.Float32).div(127.5).sub(1.0);     // (N,3,H,W)
        return x.contiguous().MoveToOuterDisposeScope();
    }

    public static Tensor Render(CharacterWorld world, IReadOnlyList<RenderJob> jobs, int parallelism) =>
        ToTensor(RenderBytes(world, jobs, parallelism), jobs.Count, world.ImageSize);

    /// <summary>Normal faces of images <paramref name="firstImage"/>.. of each identity, identity-major.</summary>
    public static RenderJob[] Grid(IReadOnlyList<int> identities, int firstImage, int imagesPerIdentity) =>
        identities.SelectMany(id => Enumerable.Range(firstImage, imagesPerIdentity).Select(i => new RenderJob(id, i, FaceParts.Normal))).ToArray();

    /// <summary>
    /// Runs <paramref name="judge"/> on (N,3,H,W) images (resampled to 64×64; or, with areImages false,
    /// on any rows, e.g. features for a head) in batches under no_grad and concatenates
    /// its outputs on the CPU.
    /// </summary>
    public static Tensor Batched(Tensor images, Func<Tensor, Tensor> judge, Device device, int batchSize = 250, bool areImages = true)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var outputs = new List<Tensor>();
        for (long start = 0; start < images.shape[0]; start += batchSize)
        {
            using var step = torch.NewDisposeScope();
            long n = Math.Min(batchSize, images.shape[0] - start);
            var chunk = images.narrow(0, start, n);
            outputs.Add(judge(areImages ? ToJudgeInput(chunk, device) : chunk.to(ScalarType.Float32).to(device)).cpu().MoveToOuterDisposeScope());
        }
        return torch.cat(outputs).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// (n,3,S,S) images of any side → (n,3,64,64) float32 on <paramref name="device"/>: bilinear
    /// resampling (antialiased when shrinking) when S differs from the judges' 64, so 32-pixel or
    /// 128-pixel models are judged at the scale the judges were trained on. An upsampled 32-pixel
    /// render is softer than a 64-pixel one: compare such FDs with the floor of upsampled renders.
    /// </summary>
    public static Tensor ToJudgeInput(Tensor images, Device device)
    {
        var x = images.to(ScalarType.Float32).to(device);
        if (x.shape[2] == JudgeTrunk.ImageSize && x.shape[3] == JudgeTrunk.ImageSize) return x;
        using (x)
            return nn.functional.interpolate(x, [JudgeTrunk.ImageSize, JudgeTrunk.ImageSize], mode: InterpolationMode.Bilinear,
                align_corners: false, antialias: x.shape[2] > JudgeTrunk.ImageSize);
    }
}
