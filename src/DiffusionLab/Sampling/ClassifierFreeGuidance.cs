using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Sampling;

/// <summary>
/// Classifier-free guidance (Ho &amp; Salimans): ε = ε_u + w_eff·(ε_c − ε_u), the conditional and unconditional
/// (null-class) passes run as one batch [cond; uncond].
/// </summary>
public static class ClassifierFreeGuidance
{
    /// <summary>
    /// A <see cref="DenoiseFn"/> over <paramref name="network"/> (x, t, y) → out that runs [x; x] with labels
    /// [labels; null class] in ONE call and returns the guided output for the conditional half (N, 2C, …): the guided
    /// channels mixed, the rest (and the variance half) from the conditional pass. w = 1 skips the unconditional pass.
    /// </summary>
    public static DenoiseFn Wrap(Func<Tensor, Tensor, Tensor, Tensor> network, Tensor labels, int nullClass, GuidanceSchedule schedule, GuidedChannels channels, int numOutputEps)
    {
        if (labels is not null && labels.dim() != 1) throw new ArgumentException($"labels must be 1-D (N), got shape [{string.Join(", ", labels.shape)}]", nameof(labels));
        return Wrap(network, labels!, torch.tensor((long)nullClass).DetachFromDisposeScope(), schedule, channels, numOutputEps);
    }

    /// <summary>
    /// The same for any condition: <paramref name="conditions"/> (N, …) (class indices, or token ids (N, L)) with the
    /// unconditional pass on <paramref name="nullCondition"/> broadcast to every item (the null class, or the (L) ids
    /// of the empty prompt).
    /// </summary>
    public static DenoiseFn Wrap(Func<Tensor, Tensor, Tensor, Tensor> network, Tensor conditions, Tensor nullCondition, GuidanceSchedule schedule, GuidedChannels channels, int numOutputEps)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(conditions);
        ArgumentNullException.ThrowIfNull(schedule);
        if (numOutputEps < 1) throw new ArgumentOutOfRangeException(nameof(numOutputEps), numOutputEps, "numOutputEps (C) must be at least 1");
        ArgumentNullException.ThrowIfNull(nullCondition);
        // [conditions] and [conditions; null] on the sampling device, built once and kept out of the per-step dispose scopes.
        Tensor? single = null, both = null;
        return (x, t) =>
        {
            long n = x.shape[0];
            if (conditions.shape[0] != n)
                throw new ArgumentException($"conditions have {conditions.shape[0]} rows, expected {n} for a batch of {n}");
            if (single is null || single.device_type != x.device_type || single.device_index != x.device_index)
            {
                single = conditions.to(x.device, copy: true).DetachFromDisposeScope();
                both = torch.cat([single, nullCondition.to(single.dtype).to(x.device).expand_as(single)], 0).DetachFromDisposeScope();
            }
            if (schedule.IsIdentity) return network(x, t, single);
            return Guide(network(torch.cat([x, x], 0), torch.cat([t, t], 0), both!), t, schedule, channels, numOutputEps);
        };
    }

    /// <summary>
    /// The guided output (N, C_out, …) from the network output on [cond; uncond] (2N, C_out, …) and the N original
    /// timesteps: the guided ε channels mixed, the rest (the learned variance) from the conditional half.
    /// </summary>
    public static Tensor Guide(Tensor modelOutput, Tensor originalTimesteps, GuidanceSchedule schedule, GuidedChannels channels, int numOutputEps)
    {
        ArgumentNullException.ThrowIfNull(modelOutput);
        ArgumentNullException.ThrowIfNull(schedule);
        long n = originalTimesteps.shape[0];
        if (modelOutput.shape[0] != 2 * n) throw new ArgumentException($"model output batch {modelOutput.shape[0]}: expected 2 × {n} rows, [cond; uncond]", nameof(modelOutput));
        return GuideConditional(modelOutput.narrow(0, 0, n), modelOutput.narrow(0, n, n), originalTimesteps, schedule, channels, numOutputEps);
    }

    /// <summary>
    /// MDT/DiT <c>forward_with_cfg</c>'s return value from the network output on [cond; uncond] (2B, 2C, …) and the
    /// timesteps of both halves: guided channels become [guided; guided], the other channels stay as each half had them.
    /// The scale uses the conditional half's timesteps.
    /// </summary>
    public static Tensor CombineOfficial(Tensor modelOutput, Tensor originalTimesteps, GuidanceSchedule schedule, GuidedChannels channels, int numOutputEps)
    {
        ArgumentNullException.ThrowIfNull(modelOutput);
        ArgumentNullException.ThrowIfNull(schedule);
        long total = modelOutput.shape[0];
        if (total % 2 != 0) throw new ArgumentException($"model output batch {total} must be even: [cond; uncond]", nameof(modelOutput));
        long half = total / 2;
        int g = GuidedCount(channels, numOutputEps, modelOutput);
        var cond = modelOutput.narrow(0, 0, half);
        var uncond = modelOutput.narrow(0, half, half);
        var guided = Mix(cond.narrow(1, 0, g), uncond.narrow(1, 0, g), originalTimesteps.narrow(0, 0, half), schedule);
        var eps = torch.cat([guided, guided], 0);
        long rest = modelOutput.shape[1] - g;
        return rest == 0 ? eps : torch.cat([eps, modelOutput.narrow(1, g, rest)], 1);
    }

    private static Tensor GuideConditional(Tensor cond, Tensor uncond, Tensor t, GuidanceSchedule schedule, GuidedChannels channels, int numOutputEps)
    {
        int g = GuidedCount(channels, numOutputEps, cond);
        var guided = Mix(cond.narrow(1, 0, g), uncond.narrow(1, 0, g), t, schedule);
        long rest = cond.shape[1] - g;
        return rest == 0 ? guided : torch.cat([guided, cond.narrow(1, g, rest)], 1);
    }

    private static Tensor Mix(Tensor condEps, Tensor uncondEps, Tensor t, GuidanceSchedule schedule)
    {
        var shape = new long[condEps.dim()];
        Array.Fill(shape, 1L);
        shape[0] = condEps.shape[0];
        var w = schedule.Scales(t).to(condEps.dtype).to(condEps.device).view(shape);
        return uncondEps + w * (condEps - uncondEps);
    }

    private static int GuidedCount(GuidedChannels channels, int numOutputEps, Tensor output)
    {
        if (numOutputEps < 1 || numOutputEps > output.shape[1])
            throw new ArgumentException($"numOutputEps = {numOutputEps} must be in [1, {output.shape[1]}] for an output with {output.shape[1]} channels");
        return channels switch
        {
            GuidedChannels.All => numOutputEps,
            GuidedChannels.FirstThree => Math.Min(3, numOutputEps),
            _ => throw new ArgumentOutOfRangeException(nameof(channels), channels, "unknown GuidedChannels value"),
        };
    }
}
