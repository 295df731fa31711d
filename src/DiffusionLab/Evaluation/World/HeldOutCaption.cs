using DiffusionLab.Data.World;

namespace DiffusionLab.Evaluation.World;

/// <summary>
/// One held-out (person, image) of a CharacterWorld with its caption and the factors that caption asks for, in the one
/// order every judgement of a text-to-image run walks them: each held-out person's image 0, then each one's image 1, and
/// so on (wrapping after the world's ImagesPerIdentity), so index i names the same caption for the run evaluation and the probe.
/// </summary>
public sealed record HeldOutCaption(int Identity, int Image, string Caption, IntendedFactors Intended)
{
    public static HeldOutCaption At(CharacterWorld world, int index)
    {
        var heldOut = world.Identities(WorldSplit.HeldOut);
        int identity = heldOut[index % heldOut.Count], image = index / heldOut.Count % world.Config.ImagesPerIdentity;
        var factors = world.Factors(identity, image);
        return new HeldOutCaption(identity, image, world.Caption(identity, factors).Text, IntendedFactors.Of(world.Traits(identity).ClassWord, factors));
    }
}
