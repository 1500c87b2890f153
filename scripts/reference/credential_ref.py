# Independent reference for urne credentials (Python + pyca/cryptography).
import hashlib, struct
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization
A="0123456789ABCDEFGHJKMNPQRSTVWXYZ"
def mul(a,b):
    r=0
    for i in range(5):
        if (b>>i)&1: r^=a
        a<<=1
        if a&0x20: a^=0x25
    return r
def pw(a,e):
    r=1
    for _ in range(e): r=mul(r,a)
    return r
def check(data):
    c=[A.index(ch) for ch in data]
    # brute force p,q over 32x32 (independent of the closed form)
    sols=[]
    for p in range(32):
        for q in range(32):
            full=c+[p,q]
            s0=0;s1=0
            for i,v in enumerate(full):
                s0^=v; s1^=mul(pw(2,i),v)
            if s0==0 and s1==0: sols.append((p,q))
    assert len(sols)==1
    p,q=sols[0]
    return data+A[p]+A[q]
code=check("0123456789ABCDEFGHJKMN")
print("code", "-".join(code[i:i+4] for i in range(0,24,4)))
ctx=bytes(range(32))
label=b"urne/credential/v1"
msg=struct.pack(">H",len(label))+label+struct.pack(">H",24)+code.encode()
print("hash input", msg.hex())
seed=hashlib.blake2b(msg,key=ctx,digest_size=32).digest()
print("seed", seed.hex())
sk=Ed25519PrivateKey.from_private_bytes(seed)
pk=sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
print("pk", pk.hex())
lab=b"urne/token-request-auth/v1"
eid=bytes([0x11]*32); iid=b"einrichtung-07"; tkid=bytes([0x22]*32); req=bytes.fromhex("0002")+bytes([0x7a])+bytes([0x33]*8)
m=struct.pack(">H",len(lab))+lab+eid+struct.pack(">H",len(iid))+iid+tkid+struct.pack(">I",len(req))+req
print("authmsg", m.hex())
print("sig", sk.sign(m).hex())
