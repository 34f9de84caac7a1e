using FsCheck.Xunit;
using RtcStack.TestSupport;

// Every [Property] in this assembly draws its integers and byte arrays over their full range,
// edges first, instead of FsCheck's sized defaults (about ±50, arrays of 50 or fewer): issue 21.
[assembly: Properties(Arbitrary = new[] { typeof(FullRangeArbitraries) })]
