namespace RtcStack.Dtls;

/// <summary>An application_data record (RFC 5246 §10) from the peer, decrypted.</summary>
/// <param name="Data">The plaintext.</param>
public sealed record DtlsApplicationDataEvent(ReadOnlyMemory<byte> Data) : DtlsEvent;
