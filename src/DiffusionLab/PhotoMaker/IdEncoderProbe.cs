using DiffusionLab.Data.World;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.PhotoMaker;

/// <summary>What <see cref="IdEncoderProbe"/> measured; cosines are of image embeddings to mean reference embeddings.</summary>
public sealed record IdEncoderProbeResult(int People, int References, int Queries, double Rank1, double Chance, double SameCosine, double OtherCosine);

/// <summary>
/// Whether a stacked-ID encoder's image embeddings tell people apart, with no generation: for held-out people, each
/// query image (other renders of the person) is matched by cosine to every person's mean reference embedding, and
/// rank-1 is the share matched to its own person. It locates where identity is lost when generations do not carry it:
/// an encoder that separates people points at the backbone's use of its tokens, one that does not at the encoder.
/// Compare with an untrained encoder of the same shape: random features already keep some pixel similarity.
/// </summary>
public static class IdEncoderProbe
{
    public static IdEncoderProbeResult Run(StackedIdEncoder encoder, CharacterWorld world, int people = 100, int references = 4, int queries = 4) =>
        Run([encoder], world, people, references, queries)[0];

    /// <summary>Several encoders on the same images (rendered once): e.g. a trained one and an untrained one.</summary>
    public static IReadOnlyList<IdEncoderProbeResult> Run(IReadOnlyList<StackedIdEncoder> encoders, CharacterWorld world, int people = 100, int references = 4, int queries = 4)
    {
        var heldOut = world.Identities(WorldSplit.HeldOut);
        if (people < 2 || people > heldOut.Count) throw new ArgumentOutOfRangeException(nameof(people), people, $"people: expected 2..{heldOut.Count} (the world's held-out people)");
        if (references < 1 || queries < 1) throw new ArgumentOutOfRangeException(nameof(references), "references and queries: expected at least 1 each");
        using var scope = NewDisposeScope();
        var refs = heldOut.Take(people).Select(p => CharacterImage.Stack(Enumerable.Range(0, references).Select(i => world.Render(p, i)))).ToList();        // P × (R, 3, H, W)
        var query = heldOut.Take(people).Select(p => CharacterImage.Stack(Enumerable.Range(references, queries).Select(i => world.Render(p, i)))).ToList(); // P × (Q, 3, H, W)
        return encoders.Select(e => Measure(e, refs, query, people, references, queries)).ToList();
    }

    private static IdEncoderProbeResult Measure(StackedIdEncoder encoder, List<Tensor> refs, List<Tensor> query, int people, int references, int queries)
    {
        var device = encoder.parameters().First().device;
        bool wasTraining = encoder.training;
        encoder.eval();
        try
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var gallery = nn.functional.normalize(stack(refs.Select(r => nn.functional.normalize(encoder.EmbedImages(r.to(device)), dim: 1).mean([0])).ToArray()), dim: 1); // (P, D)
            var queriesAll = cat(query.Select(q => nn.functional.normalize(encoder.EmbedImages(q.to(device)), dim: 1)).ToArray(), 0);                       // (P·Q, D)
            var cosine = queriesAll.matmul(gallery.T);                                                                                // (P·Q, P)
            var owner = arange(people, device: device).repeat_interleave(queries);                                                    // (P·Q)
            double rank1 = cosine.argmax(1).eq(owner).to(ScalarType.Float32).mean().item<float>();
            var own = nn.functional.one_hot(owner, people).to(ScalarType.Bool);                                                       // (P·Q, P)
            double same = cosine.masked_select(own).mean().item<float>();
            double other = cosine.masked_select(own.logical_not()).mean().item<float>();
            return new IdEncoderProbeResult(people, references, queries, rank1, 1.0 / people, same, other);
        }
        finally { encoder.train(wasTraining); }
    }
}
